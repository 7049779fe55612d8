package io.vmplane.gateway.web;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.webflux.autoconfigure.WebFluxProperties;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.util.StringUtils;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Replaces Boot's {@code HttpHandler} (which it backs off for) to mount the application under
 * {@code spring.webflux.base-path} exactly as Boot does, and to keep {@code /actuator/health} at the root.
 */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

    @Bean
    HttpHandler httpHandler(ApplicationContext context, WebFluxProperties webFlux,
                            ObjectProvider<WebHttpHandlerBuilderCustomizer> customizers, ProblemWriter problems) {
        WebHttpHandlerBuilder builder = WebHttpHandlerBuilder.applicationContext(context);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        HttpHandler application = builder.build();
        String basePath = webFlux.getBasePath();
        if (!StringUtils.hasText(basePath)) {
            return application;
        }
        return new BasePathHttpHandler(basePath, application, problems);
    }
}

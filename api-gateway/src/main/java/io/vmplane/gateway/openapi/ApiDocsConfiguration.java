package io.vmplane.gateway.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * The interactive page of the OpenAPI document at {@code /docs} (within the base path): our own page and start
 * script, and Swagger UI's files from its webjar, all as static resources, no token needed.
 */
@Configuration(proxyBeanMethods = false)
public class ApiDocsConfiguration implements WebFluxConfigurer {

    static final String SWAGGER_UI_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/docs/**")
                .addResourceLocations("classpath:/docs/",
                        "classpath:/META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/");
    }

    /** The webjar's version, from the Maven metadata it carries (its files sit under a versioned folder). */
    static String swaggerUiVersion() {
        Properties pom = new Properties();
        try (InputStream in = new ClassPathResource(SWAGGER_UI_POM).getInputStream()) {
            pom.load(in);
        }
        catch (IOException e) {
            throw new IllegalStateException("Swagger UI's webjar is not on the class path (" + SWAGGER_UI_POM + ")",
                    e);
        }
        return pom.getProperty("version");
    }
}

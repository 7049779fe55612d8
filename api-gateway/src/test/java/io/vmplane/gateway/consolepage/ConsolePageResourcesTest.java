package io.vmplane.gateway.consolepage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/**
 * The browser console as the build packages it (static/console/ in the gateway's jar): the page, its script, and
 * noVNC and spice-html5 as npm installed them. That the gateway serves it without a token, and that it draws real
 * consoles, e2e's ConsolePageIT shows in Chromium.
 */
class ConsolePageResourcesTest {

    @Test
    void shouldLoadOnlyItsOwnModuleScriptUnderAContentSecurityPolicy() throws IOException {
        // When the page is read
        String page = text("static/console/index.html");

        // Then it loads its own module script, and allows scripts from its own origin only
        assertThat(page).contains("<script type=\"module\" src=\"console.js\">", "Content-Security-Policy",
                "script-src 'self'", "connect-src 'self' ws: wss:", "object-src 'none'");
        assertThat(page).doesNotContain("<script>", "onclick=", "onload=");
    }

    @Test
    void shouldPackageNoVncAndSpiceHtml5AsNpmInstalledThem() throws IOException {
        // When the modules the page imports are read
        String rfb = text("static/console/vendor/novnc/core/rfb.js");
        String spice = text("static/console/vendor/spice-html5/src/main.js");

        // Then they are the libraries' ES modules, with what they import and their licences beside them
        assertThat(rfb).contains("export default class RFB");
        assertThat(spice).contains("SpiceMainConn");
        assertThat(text("static/console/vendor/novnc/vendor/pako/lib/zlib/inflate.js")).isNotEmpty();
        assertThat(text("static/console/vendor/novnc/LICENSE.txt")).contains("MPL 2.0");
        assertThat(text("static/console/vendor/spice-html5/COPYING.LESSER")).contains("LESSER GENERAL PUBLIC");
    }

    @Test
    void shouldSetEveryShownNameAsTextNeverAsHtml() throws IOException {
        // When the page's script is read
        String script = text("static/console/console.js");

        // Then it writes what it shows with textContent only, and imports the libraries from beside itself
        assertThat(script).contains("textContent", "./vendor/novnc/core/rfb.js", "./vendor/spice-html5/src/main.js")
                .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
    }

    private static String text(String path) throws IOException {
        ClassPathResource resource = new ClassPathResource(path);
        assertThat(resource.exists()).as(path + " on the class path (built by the npm step?)").isTrue();
        return resource.getContentAsString(StandardCharsets.UTF_8);
    }
}

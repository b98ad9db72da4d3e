package org.bosun.console;

import static org.junit.Assert.assertEquals;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bosun.api.BosunException;
import org.osgi.framework.BundleContext;
import org.junit.Test;

/** The POST skeleton every bosun page shares: the token, the page's actions, the outcome sent back. */
public class BosunPageTest {
    /** A page with one action, "fail" or "ok", the way the real pages name theirs. */
    static final class Page extends BosunPage {
        private static final long serialVersionUID = 1L;
        final boolean hasActions;

        Page(boolean hasActions) {
            super(proxy(BundleContext.class, Map.of()), "bosun-test");
            this.hasActions = hasActions;
        }

        @Override
        void render(HttpServletRequest request, PrintWriter out) {
            throw BosunException.notFound("no <page>");
        }

        @Override
        Action action(HttpServletRequest request, String root) {
            return switch (String.valueOf(request.getParameter("action"))) {
                case "ok" -> new Action(() -> "done <it>", root + "/" + rest(request));
                case "fail" -> new Action(() -> {
                    throw BosunException.precondition("pod x is running; stop it first");
                }, root);
                default -> null;
            };
        }

        @Override
        String actions() {
            return hasActions ? "POST bosun-test with action=ok or fail" : null;
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            String key = m.getName() + (args != null && args.length == 1 && args[0] instanceof String s ? ":" + s : "");
            return answers.get(key);
        });
    }

    static HttpServletRequest post(String pathInfo, Map<String, String> params, String origin) {
        Map<String, Object> answers = new java.util.HashMap<>();
        answers.put("getPathInfo", pathInfo);
        answers.put("getScheme", "http");
        answers.put("getHeader:Host", "127.0.0.1:15442");
        if (origin != null) {
            answers.put("getHeader:Origin", origin);
        }
        params.forEach((k, v) -> answers.put("getParameter:" + k, v));
        return proxy(HttpServletRequest.class, answers);
    }

    /** What the page answered: "error CODE message" or "redirect URL". */
    static String answer(BosunPage page, HttpServletRequest request) throws Exception {
        List<String> said = new ArrayList<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(
                HttpServletResponse.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (p, m, args) -> {
                    if (m.getName().equals("sendError")) {
                        said.add("error " + args[0] + " " + args[1]);
                    } else if (m.getName().equals("sendRedirect")) {
                        said.add("redirect " + args[0]);
                    }
                    return null;
                });
        page.doPost(request, response);
        assertEquals(said.toString(), 1, said.size());
        return said.get(0);
    }

    @Test
    public void anActionRunsAndTheBrowserIsSentBackWithItsMessageOrTheServicesError() throws Exception {
        Page page = new Page(true);
        String token = page.token.value();
        assertEquals("redirect /system/console/bosun-test/pod-1?message=done+%3Cit%3E",
                answer(page, post("/bosun-test/pod-1", Map.of("bosun-token", token, "action", "ok"), null)));
        assertEquals("redirect /system/console/bosun-test?message=pod+x+is+running%3B+stop+it+first&error=1",
                answer(page, post("/bosun-test", Map.of("bosun-token", token, "action", "fail"),
                        "http://127.0.0.1:15442")));
        assertEquals("error 400 POST bosun-test with action=ok or fail",
                answer(page, post("/bosun-test", Map.of("bosun-token", token, "action", "other"), null)));
    }

    @Test
    public void aPostWithoutTheTokenOrFromAnotherSiteIsRefusedAndChangesNothing() throws Exception {
        Page page = new Page(true);
        assertEquals("error 403 refused: the form's token is missing or stale; reload the page and try again",
                answer(page, post("/bosun-test", Map.of("action", "fail"), null)));
        assertEquals("error 403 refused: the request came from http://evil.example, not from this console",
                answer(page, post("/bosun-test", Map.of("bosun-token", page.token.value(), "action", "ok"),
                        "http://evil.example")));
    }

    @Test
    public void aPageWithoutActionsTakesNoPost() throws Exception {
        Page page = new Page(false);
        assertEquals("error 405 bosun-test has no actions",
                answer(page, post("/bosun-test", Map.of("bosun-token", page.token.value(), "action", "ok"), null)));
    }

    @Test
    public void aServicesErrorIsShownInsteadOfThePageEscaped() throws Exception {
        java.io.StringWriter body = new java.io.StringWriter();
        PrintWriter writer = new PrintWriter(body);
        HttpServletResponse response = proxy(HttpServletResponse.class, Map.of("getWriter", writer));
        new Page(false).renderContent(post("/bosun-test", Map.of("message", "gone <now>", "error", "1"), null), response);
        writer.flush();
        assertEquals("<p class='statline ui-state-error' id='bosun-message'>gone &lt;now&gt;</p>\n"
                + "<p class='statline ui-state-error' id='bosun-error'>no &lt;page&gt;</p>\n", body.toString());
    }
}

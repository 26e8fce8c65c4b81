package io.panoptes.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @Test
    void shouldRefuseDestinationsOutsideTheAllowListOrOnPrivateAddresses() {
        assertThatThrownBy(
                        () ->
                                new WebhookSink(
                                        URI.create("http://127.0.0.1:9/hook"),
                                        "s",
                                        TIMEOUT,
                                        Set.of(),
                                        false,
                                        Clock.systemUTC()))
                .hasMessageContaining(
                        "webhook http://127.0.0.1:9/hook: 127.0.0.1 resolves to the local or private address 127.0.0.1")
                .hasMessageContaining("--allow-private-webhooks");
        assertThatThrownBy(
                        () ->
                                new WebhookSink(
                                        URI.create("http://10.1.2.3/hook"),
                                        "s",
                                        TIMEOUT,
                                        Set.of(),
                                        false,
                                        Clock.systemUTC()))
                .hasMessageContaining("private address 10.1.2.3");
        assertThatThrownBy(
                        () ->
                                new WebhookSink(
                                        URI.create("http://127.0.0.1/hook"),
                                        "s",
                                        TIMEOUT,
                                        Set.of("hooks.example.com"),
                                        true,
                                        Clock.systemUTC()))
                .hasMessageContaining(
                        "host 127.0.0.1 is not in the allow-list [hooks.example.com]");
        assertThatThrownBy(
                        () ->
                                new WebhookSink(
                                        URI.create("ftp://127.0.0.1/hook"),
                                        "s",
                                        TIMEOUT,
                                        Set.of(),
                                        true,
                                        Clock.systemUTC()))
                .hasMessageContaining("only http(s) URLs");
        assertThatThrownBy(
                        () ->
                                new WebhookSink(
                                        URI.create("http://127.0.0.1/hook"),
                                        "",
                                        TIMEOUT,
                                        Set.of(),
                                        true,
                                        Clock.systemUTC()))
                .hasMessageContaining("a signing secret is required");
        assertThatThrownBy(
                        () ->
                                new WebhookSink(
                                        URI.create("http://127.0.0.1/hook"),
                                        "whsec_%%%",
                                        TIMEOUT,
                                        Set.of(),
                                        true,
                                        Clock.systemUTC()))
                .hasMessageContaining("must be base64");
    }

    @Test
    void shouldSignLikeTheStandardWebhooksExample() {
        // the example of the Standard Webhooks specification
        // (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md)
        WebhookSink sink =
                new WebhookSink(
                        URI.create("http://127.0.0.1/hook"),
                        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        TIMEOUT,
                        Set.of(),
                        true,
                        Clock.systemUTC());

        assertThat(
                        sink.signature(
                                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                "1614265330",
                                "{\"test\": 2432232314}".getBytes()))
                .isEqualTo("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}

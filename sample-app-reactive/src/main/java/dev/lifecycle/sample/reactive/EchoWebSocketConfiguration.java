package dev.lifecycle.sample.reactive;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * A WebSocket endpoint, {@code /ws/echo}, that sends back each text message: the
 * long-lived connection the shutdown closes with 1001 (Going Away).
 */
@Configuration(proxyBeanMethods = false)
class EchoWebSocketConfiguration {

	@Bean
	HandlerMapping echoWebSocketMapping() {
		WebSocketHandler echo = (session) -> session
			.send(session.receive().map((message) -> session.textMessage(message.getPayloadAsText())));
		// Ahead of the annotated controllers' mapping.
		return new SimpleUrlHandlerMapping(Map.of("/ws/echo", echo), -1);
	}

}

// Spring Security 6: PKCE (S256) for a confidential client, ID tokens signed ES256 (DVC ID's default;
// Spring expects RS256 unless told), and sign-out at DVC ID (RP-initiated logout).
package vn.gov.example;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
public class DvcSecurityConfig {
  @Bean
  SecurityFilterChain security(HttpSecurity http, ClientRegistrationRepository clients) throws Exception {
    var resolver = new DefaultOAuth2AuthorizationRequestResolver(clients, "/oauth2/authorization");
    resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    var logout = new OidcClientInitiatedLogoutSuccessHandler(clients);
    logout.setPostLogoutRedirectUri("{baseUrl}/");
    http
      .authorizeHttpRequests(a -> a.requestMatchers("/", "/signin-failed").permitAll().anyRequest().authenticated())
      // Error responses (access_denied, unmet_authentication_requirements, ...) land on your page.
      .oauth2Login(o -> o.authorizationEndpoint(e -> e.authorizationRequestResolver(resolver)).failureUrl("/signin-failed"))
      .logout(l -> l.logoutSuccessHandler(logout))
      .csrf(Customizer.withDefaults());
    return http.build();
  }

  @Bean
  OidcIdTokenDecoderFactory idTokenDecoderFactory() {
    var factory = new OidcIdTokenDecoderFactory();
    factory.setJwsAlgorithmResolver(registration -> SignatureAlgorithm.ES256);
    return factory;
  }
}

package org.hemefhir.viewer;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the course viewer ({@code classpath:/static/viewer/}) at {@code /viewer/}, and
 * sends the server's root there. The page holds no data: it reads everything through the
 * FHIR API with the signed-in user's token.
 */
@Configuration
class ViewerPageConfig implements WebMvcConfigurer {

	static final String PATH = "/viewer/";

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(PATH + "**").addResourceLocations("classpath:/static/viewer/");
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addRedirectViewController("/", PATH);
		registry.addRedirectViewController("/viewer", PATH);
		registry.addViewController(PATH).setViewName("forward:" + PATH + "index.html");
	}

}

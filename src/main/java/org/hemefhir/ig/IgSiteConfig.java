package org.hemefhir.ig;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the generated profile pages ({@link IgSiteGenerator},
 * {@code classpath:/ig-site/}) at {@code /ig/}, read-only and without any FHIR machinery.
 */
@Configuration
class IgSiteConfig implements WebMvcConfigurer {

	static final String PATH = "/ig/";

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(PATH + "**").addResourceLocations("classpath:/ig-site/");
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addRedirectViewController("/ig", PATH);
		registry.addViewController(PATH).setViewName("forward:" + PATH + "index.html");
	}

}

package org.hemefhir.system;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * Points in HAPI's processing where a request whose budget is spent stops: before each
 * resource of a write or transaction is stored and before each page of results is shown.
 * Statements are stopped by their own timeout; these stop the work between them.
 */
@Component
@Interceptor
class BudgetCheckpoints implements FhirServerCustomizer {

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void beforeCreate() {
		RequestBudget.checkpoint();
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void beforeUpdate() {
		RequestBudget.checkpoint();
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
	public void beforeDelete() {
		RequestBudget.checkpoint();
	}

	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void beforeShow() {
		RequestBudget.checkpoint();
	}

}

package org.hemefhir.fhirserver;

import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.IAnonymousInterceptor;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * The REST server's view of the one interceptor service: interceptors register through it
 * into the shared service, but only the {@code SERVER_*} pointcuts are visible through
 * it.
 *
 * <p>
 * HAPI's JPA layer fires storage pointcuts on its own service <em>and</em> on the
 * request's service (the REST server's). With one service behind both, every storage hook
 * (profile validation, identifier resolution, audit) ran twice per REST write. Through
 * this view the request contributes no storage hooks, so they run once, as they do for
 * writes that come from HL7 v2, the case loader or batch jobs.
 */
final class ServerPointcutsOnly implements IInterceptorService {

	private final IInterceptorService shared;

	ServerPointcutsOnly(IInterceptorService shared) {
		this.shared = shared;
	}

	private static boolean visible(Pointcut pointcut) {
		return pointcut.name().startsWith("SERVER_");
	}

	@Override
	public boolean hasHooks(Pointcut pointcut) {
		return visible(pointcut) && shared.hasHooks(pointcut);
	}

	@Override
	public List<IInvoker> getInvokersForPointcut(Pointcut pointcut) {
		return visible(pointcut) ? shared.getInvokersForPointcut(pointcut) : List.of();
	}

	@Override
	public boolean callHooks(Pointcut pointcut, HookParams params) {
		return !visible(pointcut) || shared.callHooks(pointcut, params);
	}

	@Override
	public Object callHooksAndReturnObject(Pointcut pointcut, HookParams params) {
		return visible(pointcut) ? shared.callHooksAndReturnObject(pointcut, params) : null;
	}

	@Override
	public void registerAnonymousInterceptor(Pointcut pointcut, IAnonymousInterceptor interceptor) {
		shared.registerAnonymousInterceptor(pointcut, interceptor);
	}

	@Override
	public void registerAnonymousInterceptor(Pointcut pointcut, int order, IAnonymousInterceptor interceptor) {
		shared.registerAnonymousInterceptor(pointcut, order, interceptor);
	}

	@Override
	public boolean registerInterceptor(Object interceptor) {
		return shared.registerInterceptor(interceptor);
	}

	@Override
	public boolean unregisterInterceptor(Object interceptor) {
		return shared.unregisterInterceptor(interceptor);
	}

	@Override
	public List<Object> getAllRegisteredInterceptors() {
		return shared.getAllRegisteredInterceptors();
	}

	@Override
	public void unregisterAllInterceptors() {
		shared.unregisterAllInterceptors();
	}

	@Override
	public void unregisterInterceptors(Collection<?> interceptors) {
		shared.unregisterInterceptors(interceptors);
	}

	@Override
	public void registerInterceptors(Collection<?> interceptors) {
		shared.registerInterceptors(interceptors);
	}

	@Override
	public void unregisterInterceptorsIf(Predicate<Object> predicate) {
		shared.unregisterInterceptorsIf(predicate);
	}

	@Override
	public void unregisterAllAnonymousInterceptors() {
		shared.unregisterAllAnonymousInterceptors();
	}

}

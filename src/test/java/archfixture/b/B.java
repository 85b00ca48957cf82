package archfixture.b;

/** Fixture for ArchitectureTest: may use module a, but only its top-level package. */
public class B {

	public Object internal() {
		return new archfixture.a.internal.Hidden();
	}

}

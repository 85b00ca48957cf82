package archfixture.a;

/**
 * Fixture for ArchitectureTest: a module that uses one it may not (b), closing a cycle.
 */
public class A {

	public Object forbidden() {
		return new archfixture.b.B();
	}

}

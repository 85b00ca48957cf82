package archfixture.a.internal;

/**
 * Fixture for ArchitectureTest: public, but in a sub-package, so internal to module a.
 */
public class Hidden {

}

package dev.nabla.losses;

/** The Keras loss cases on the pure-Java reference backend. */
class OnJavaTest extends OnEveryBackend {
    @Override
    protected String device() {
        return "java";
    }
}

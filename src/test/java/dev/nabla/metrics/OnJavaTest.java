package dev.nabla.metrics;

/** The compiled-metric cases on the pure-Java reference backend. */
class OnJavaTest extends OnEveryBackend {
    @Override
    protected String device() {
        return "java";
    }
}

package dev.ferry.worker.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {
    /** The executor bundles read the home folder through their private copy of its name: it must be the worker's. */
    @Test
    void theExecutorsNameForTheHomeFolderIsTheWorkers() {
        assertThat(dev.ferry.support.Home.PROPERTY).isEqualTo(FrameworkProperties.HOME);
    }
}

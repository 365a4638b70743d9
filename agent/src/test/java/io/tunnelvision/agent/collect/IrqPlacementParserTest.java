package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IrqPlacementParserTest {

    @Test
    void aCpuListIsKeptAsTheKernelPrintedIt() throws Exception {
        assertEquals("0-3,8", IrqPlacementParser.cpuList("0-3,8\n"));
        assertEquals("5", IrqPlacementParser.cpuList("5"));
        assertNull(IrqPlacementParser.cpuList("\n"), "a shut-down IRQ's effective affinity is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-", "3-1", "a", "0,,1", "0 1", "ff", "-1"})
    void textThatIsNoCpuListIsMalformed(String text) {
        assertThrows(MalformedFileException.class, () -> IrqPlacementParser.cpuList(text));
    }

    @Test
    void theKernelsMinusOneIsNoNumaNode() throws Exception {
        assertNull(IrqPlacementParser.numaNode("-1\n"));
        assertEquals(0, IrqPlacementParser.numaNode("0\n"));
        assertEquals(3, IrqPlacementParser.numaNode("3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-2", "one", "1.0", "99999999999"})
    void aNodeThatIsNeitherMinusOneNorANumberIsMalformed(String text) {
        assertThrows(MalformedFileException.class, () -> IrqPlacementParser.numaNode(text));
    }

    @Test
    void theBusIdIsTheLastComponentOfTheDeviceLink() {
        assertEquals("0000:3b:00.0", IrqPlacementParser.busId(Path.of("../../../0000:3b:00.0")));
        assertEquals("virtio2", IrqPlacementParser.busId(Path.of("../../../virtio2")));
    }
}

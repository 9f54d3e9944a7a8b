package com.taskmaster.backup.support;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BoundedTest {
    @Test
    void resultsKeepTheItemsOrder() {
        List<Integer> items = IntStream.range(0, 200).boxed().toList();
        assertEquals(items.stream().map(i -> i * 2).toList(), Bounded.map(items, 8, i -> {
            if (i % 7 == 0) {
                Thread.yield();
            }
            return i * 2;
        }));
        assertEquals(List.of(), Bounded.map(List.<Integer>of(), 8, i -> i));
    }

    @Test
    void theFirstFailureIsThrownAsItWas() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertSame(boom, assertThrows(IllegalArgumentException.class, () -> Bounded.map(List.of(1, 2, 3), 4, i -> {
            if (i == 2) {
                throw boom;
            }
            return i;
        })));
    }
}

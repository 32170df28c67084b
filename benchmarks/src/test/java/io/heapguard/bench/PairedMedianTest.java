package io.heapguard.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairedMedianTest {

    @Test
    void theIntervalRanksAreTheBinomialOnes() {
        // P(Binomial(n, 1/2) < k) <= 2.5%: n = 6 and 8 -> 1; 16 -> 4 (P(X <= 3) = 1.06%, P(X <= 4) = 3.84%); 20 -> 6
        assertEquals(0, CompareRunner.medianIntervalRank(5));
        assertEquals(1, CompareRunner.medianIntervalRank(6));
        assertEquals(1, CompareRunner.medianIntervalRank(8));
        assertEquals(4, CompareRunner.medianIntervalRank(16));
        assertEquals(6, CompareRunner.medianIntervalRank(20));
    }

    @Test
    void oneRoundInASpellMovesTheMeanButNotTheMedian() {
        CompareRunner.Series bare = new CompareRunner.Series("B.m", "", CompareRunner.ForkMode.BARE);
        CompareRunner.Series agent = new CompareRunner.Series("B.m", "", CompareRunner.ForkMode.AGENT);
        for (int round = 1; round <= 8; round++) {
            bare.forkMeans.put(round, 1.00);
            agent.forkMeans.put(round, round == 3 ? 1.35 : 1.01);
        }
        double[] median = CompareRunner.pairedMedian(bare, agent);
        assertEquals(1.01, median[0], 1e-9);
        assertEquals(1.01, median[1], 1e-9);
        assertEquals(1.35, median[2], 1e-9);
        assertEquals(8, median[3]);
        assertTrue(CompareRunner.pairedRatio(bare, agent)[0] > 1.04, "the geometric mean is pulled by the spell");
    }
}

package dev.vantage.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShardLeasesTest {

    @Test
    void sharesAddUpToTheShardsAndDifferByOneAtMost() {
        for (int shards = 1; shards <= 64; shards++) {
            for (int live = 1; live <= 20; live++) {
                int sum = 0;
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int rank = 0; rank < live; rank++) {
                    int share = ShardLeases.share(shards, live, rank);
                    sum += share;
                    min = Math.min(min, share);
                    max = Math.max(max, share);
                }
                assertThat(sum).as("%d shards, %d live", shards, live).isEqualTo(shards);
                assertThat(max - min).as("%d shards, %d live", shards, live).isLessThanOrEqualTo(1);
            }
        }
        assertThat(ShardLeases.share(16, 5, 0)).isEqualTo(4);
        assertThat(ShardLeases.share(16, 5, 1)).isEqualTo(3);
        assertThat(ShardLeases.share(2, 3, 2)).isZero();
    }

    @Test
    void heldShardsReadAsRanges() {
        assertThat(ShardLeases.ranges(List.of(0, 1, 2, 3, 8))).isEqualTo("0-3,8");
        assertThat(ShardLeases.ranges(List.of(5))).isEqualTo("5");
        assertThat(ShardLeases.ranges(List.of(1, 3, 4, 6))).isEqualTo("1,3-4,6");
    }
}

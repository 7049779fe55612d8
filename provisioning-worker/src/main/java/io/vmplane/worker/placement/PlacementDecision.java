package io.vmplane.worker.placement;

import java.util.List;

/** The outcome of {@link Placement#decide}: the hosts to try in order, or why none can take the VM. */
public sealed interface PlacementDecision {

    /** Every host that failed a filter, with its reason. */
    List<Rejection> rejections();

    /** At least one host fits; try {@code candidates} in order. */
    record Placed(List<Candidate> candidates, List<Rejection> rejections) implements PlacementDecision {

        public Placed {
            candidates = List.copyOf(candidates);
            rejections = List.copyOf(rejections);
        }
    }

    /** No host fits: the VM fails with {@code NO_VALID_HOST} and {@code message}. */
    record NoValidHost(String message, List<Rejection> rejections) implements PlacementDecision {

        public NoValidHost {
            rejections = List.copyOf(rejections);
        }
    }
}

package com.taskmaster.backup.prune;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The decision for every backup, newest first, and the interlocks that tripped. A plan with any interlock
 * must not be executed at all: {@link #executable()} is false and the executor deletes nothing.
 */
public record PrunePlan(Instant now, RetentionPolicy policy, List<Decision> decisions, List<String> interlocks) {

    public enum Action { KEEP, DELETE }

    /** Keep (with every rule that keeps it) or delete (with the one reason it is not kept). */
    public record Decision(BackupSummary backup, Action action, List<String> reasons) {
        public Decision {
            reasons = List.copyOf(reasons);
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("a decision needs a reason: " + backup.id());
            }
        }

        public boolean delete() {
            return action == Action.DELETE;
        }
    }

    public PrunePlan {
        decisions = List.copyOf(decisions);
        interlocks = List.copyOf(interlocks);
    }

    public boolean executable() {
        return interlocks.isEmpty();
    }

    public List<Decision> kept() {
        return decisions.stream().filter(d -> !d.delete()).toList();
    }

    public List<Decision> deleted() {
        return decisions.stream().filter(Decision::delete).toList();
    }

    public Optional<Decision> decisionFor(com.taskmaster.backup.format.BackupId id) {
        return decisions.stream().filter(d -> d.backup().id().equals(id)).findFirst();
    }

    /** One line per backup, newest first ({@code <id> keep|delete <reasons>}), then {@code interlock: ...} lines. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Decision d : decisions) {
            sb.append(d.backup().id()).append(' ').append(d.delete() ? "delete" : "keep").append(' ')
                    .append(String.join(",", d.reasons())).append('\n');
        }
        for (String i : interlocks) {
            sb.append("interlock: ").append(i).append('\n');
        }
        return sb.toString();
    }
}

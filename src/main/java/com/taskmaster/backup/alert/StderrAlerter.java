package com.taskmaster.backup.alert;

/** Local runs: alerts are printed to stderr as one JSON line prefixed with "ALERT". */
public final class StderrAlerter implements Alerter {
    @Override
    public void send(Alert alert) {
        System.err.println("ALERT " + alert.toJson());
        System.err.flush();
    }
}

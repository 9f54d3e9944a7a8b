package com.taskmaster.backup.support;

/** The invocation payload is malformed; nothing was changed. The message says what is wrong and what is accepted. */
public class InvalidRequestException extends IllegalArgumentException {
    public InvalidRequestException(String message) {
        super(message);
    }
}

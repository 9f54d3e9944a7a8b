package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.Manifest;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;
import java.util.List;

/** {@code list}: the catalog of complete backups, newest first. Takes {@code {}}. */
@Named("list")
public class ListHandler implements RequestHandler<Object, ListHandler.Result> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    /** One complete backup. {@code createdAt} is when its snapshot was taken. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String backupId, Instant createdAt, long storedBytes, String label, String trigger) {
        static Entry of(Manifest m) {
            return new Entry(m.backupId().value(), m.startedAt(), m.data().storedBytes(), m.label(), m.trigger().type());
        }
    }

    /** {@code unreadable} lists manifests that exist but cannot be parsed: they are not backups until repaired. */
    public record Result(List<Entry> backups, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unreadable) {
    }

    @Override
    public Result handleRequest(Object event, Context context) {
        return invocations.run("list", context, scope -> {
            if (!Events.object(event).isEmpty()) {
                throw new com.taskmaster.backup.support.InvalidRequestException("list takes no parameters: invoke it with {}");
            }
            Catalog.Listing listing = services.catalog().list();
            return new Result(listing.backups().stream().map(Entry::of).toList(), listing.unreadable());
        });
    }
}

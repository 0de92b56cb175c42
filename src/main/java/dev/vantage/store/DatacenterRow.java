package dev.vantage.store;

/** A row of {@code datacenters}. */
public record DatacenterRow(int id, String code, String name) {}

package dev.vantage;

public final class Main {
    public static void main(String[] args) {
        System.out.println("vantage");
    }
}

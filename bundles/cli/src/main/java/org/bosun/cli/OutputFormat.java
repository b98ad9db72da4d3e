package org.bosun.cli;

/** The values of {@code --format}. */
public enum OutputFormat {
    TABULAR, JSON, JSON_PRETTY;

    public static final class Converter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            return switch (value) {
                case "tabular", "" -> TABULAR;
                case "json" -> JSON;
                case "json-pretty" -> JSON_PRETTY;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not an output format; use tabular, json or json-pretty");
            };
        }
    }

    public String jsonName() {
        return this == JSON_PRETTY ? "json-pretty" : "json";
    }
}

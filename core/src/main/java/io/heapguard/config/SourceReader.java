package io.heapguard.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads each source into settings, checking every key and value as it goes and throwing the first
 * problem; which setting wins is {@link ConfigLoader}'s business.
 */
final class SourceReader {
    static final String AGENT_ARGUMENT = "agent argument";

    private final long maxHeap;

    /** @param maxHeap the maximum heap in bytes, against which {@code 25%} is resolved */
    SourceReader(long maxHeap) {
        this.maxHeap = maxHeap;
    }

    // -------------------------------------------------------------------- agent argument

    /** {@code key=value} pairs separated by commas; a segment without {@code =} continues the previous value. */
    List<Setting> agentArgument(String args) throws ConfigException {
        List<Setting> agent = new ArrayList<>();
        if (args == null || args.isBlank()) {
            return agent;
        }
        List<String> keys = new ArrayList<>();
        List<StringBuilder> values = new ArrayList<>();
        int n = args.length();
        int i = 0;
        while (i <= n) {
            int comma = args.indexOf(',', i);
            if (comma < 0) {
                comma = n;
            }
            String segment = args.substring(i, comma);
            int eq = segment.indexOf('=');
            if (eq < 0) {
                if (keys.isEmpty()) {
                    throw new ConfigException(AGENT_ARGUMENT, segment.strip(), null,
                            "expected key=value pairs separated by commas,"
                                    + " e.g. config=/etc/heapguard.properties,mode=monitor");
                }
                values.get(values.size() - 1).append(',').append(segment);
            } else {
                String key = segment.substring(0, eq).strip();
                if (key.isEmpty()) {
                    throw new ConfigException(AGENT_ARGUMENT, segment.strip(), null,
                            "missing key before '='; expected key=value pairs separated by commas");
                }
                keys.add(key);
                values.add(new StringBuilder(segment.substring(eq + 1)));
            }
            i = comma + 1;
        }
        Map<String, String> seen = new HashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            String key = keys.get(k);
            String value = values.get(k).toString();
            KeyNames.KeyName name = classify(AGENT_ARGUMENT, key, value, "");
            String previous = seen.get(key);
            if (previous != null) {
                throw new ConfigException(AGENT_ARGUMENT, key, value,
                        "given twice in the agent argument (first as '" + previous + "')");
            }
            seen.put(key, value);
            agent.add(new Setting(AGENT_ARGUMENT, name, name.group, value, maxHeap));
        }
        return agent;
    }

    // -------------------------------------------------------------------- system properties

    /** {@code heapguard.<key>}, in name order; every property with that prefix must be a known key. */
    List<Setting> systemProperties(Map<String, String> properties) throws ConfigException {
        List<Setting> system = new ArrayList<>();
        for (Map.Entry<String, String> e : withPrefix(properties, KeyNames.PROPERTY_PREFIX).entrySet()) {
            String source = "system property " + e.getKey();
            String key = e.getKey().substring(KeyNames.PROPERTY_PREFIX.length());
            KeyNames.KeyName name = classify(source, key, e.getValue(), KeyNames.PROPERTY_PREFIX);
            system.add(new Setting(source, name, name.group, e.getValue(), maxHeap));
        }
        return system;
    }

    /** The entries whose name starts with {@code prefix}, in name order. */
    private static Map<String, String> withPrefix(Map<String, String> all, String prefix) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                sorted.put(e.getKey(), e.getValue());
            }
        }
        return sorted;
    }

    // -------------------------------------------------------------------- environment

    /**
     * {@code HEAPGUARD_<KEY>}, in name order; the name of a rule or scope is as written until
     * {@link #resolveEnvironmentNames} matches it.
     */
    List<Setting> environment(Map<String, String> env) throws ConfigException {
        List<Setting> environment = new ArrayList<>();
        for (Map.Entry<String, String> e : withPrefix(env, KeyNames.ENV_PREFIX).entrySet()) {
            String variable = e.getKey();
            String source = "environment variable " + variable;
            KeyNames.KeyName name;
            try {
                name = KeyNames.classifyEnv(variable);
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(source, variable, e.getValue(), ex.getMessage());
            }
            String group = name.group == null ? null : KeyNames.asciiLower(name.group);
            environment.add(new Setting(source, name, group, e.getValue(), maxHeap));
        }
        return environment;
    }

    /**
     * Gives each {@code HEAPGUARD_RULE_<NAME>_...} the name of the rule another source names
     * (ignoring case, {@code -} equal to {@code _}), else its name lower-cased; then checks that no
     * two variables set the same key.
     */
    static void resolveEnvironmentNames(List<Setting> environment, List<Setting> agent, List<Setting> system,
                                        List<Setting> file) throws ConfigException {
        TreeSet<String> rules = new TreeSet<>();
        TreeSet<String> scopes = new TreeSet<>();
        collectNames(agent, rules, scopes);
        collectNames(system, rules, scopes);
        collectNames(file, rules, scopes);
        Map<String, Setting> seen = new HashMap<>();
        for (Setting s : environment) {
            String word = s.name.key.group();
            if (word != null) {
                boolean rule = Keys.RULE.equals(word);
                String wanted = canonical(s.name.group);
                String match = null;
                for (String name : rule ? rules : scopes) {
                    if (canonical(name).equals(wanted)) {
                        if (match != null) {
                            throw s.problem("the " + word + " name '"
                                    + s.name.group + "' matches both " + word + " '" + match + "' and "
                                    + word + " '" + name + "'; set this key with a system property or in the file");
                        }
                        match = name;
                    }
                }
                if (match != null) {
                    s.group = match;
                }
            }
            Setting other = seen.get(s.spelled());
            if (other != null) {
                throw s.problem("also set by " + other.source);
            }
            seen.put(s.spelled(), s);
        }
    }

    private static void collectNames(List<Setting> settings, TreeSet<String> rules, TreeSet<String> scopes) {
        for (Setting s : settings) {
            String word = s.name.key.group();
            if (Keys.RULE.equals(word)) {
                rules.add(s.group);
            } else if (Keys.SCOPE.equals(word)) {
                scopes.add(s.group);
            }
        }
    }

    private static String canonical(String name) {
        return KeyNames.asciiUpper(name).replace('-', '_');
    }

    // -------------------------------------------------------------------- rules file

    /**
     * The rules file {@code config} names: {@link java.util.Properties} syntax, UTF-8 (ISO-8859-1 when
     * the file is not valid UTF-8), a leading byte-order mark ignored, in line order.
     */
    List<Setting> rulesFile(Setting config) throws ConfigException {
        Path path = (Path) config.parsed;
        if (Files.isDirectory(path)) {
            throw config.problem("the rules file " + path + " is a directory");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw config.problem("no rules file " + path);
        } catch (AccessDeniedException e) {
            throw config.problem("cannot read the rules file " + path + " (permission denied)");
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            throw config.problem("cannot read the rules file " + path + ": " + why);
        }
        return rulesFileText(path, decode(bytes));
    }

    private static String decode(byte[] bytes) {
        String text;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            text = utf8.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            text = new String(bytes, StandardCharsets.ISO_8859_1);
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        return text;
    }

    private List<Setting> rulesFileText(Path path, String text) throws ConfigException {
        String at = "file " + path + " line ";
        List<PropertiesReader.Entry> entries;
        try {
            entries = PropertiesReader.parse(text);
        } catch (PropertiesReader.MalformedException e) {
            throw new ConfigException(at + e.line, e.key, e.value, e.getMessage());
        }
        List<Setting> file = new ArrayList<>();
        Map<String, Integer> lines = new HashMap<>();
        for (PropertiesReader.Entry entry : entries) {
            String source = at + entry.line;
            KeyNames.KeyName name = classify(source, entry.key, entry.value, "");
            if (name.key == Keys.CONFIG) {
                throw new ConfigException(source, entry.key, entry.value,
                        "not valid inside the rules file; name the file with the agent argument config=...,"
                                + " -Dheapguard.config=... or HEAPGUARD_CONFIG");
            }
            if (name.key == Keys.CONFIG_WATCH) {
                throw new ConfigException(source, entry.key, entry.value,
                        "not valid inside the rules file; set it with the agent argument config.watch=...,"
                                + " -Dheapguard.config.watch=... or HEAPGUARD_CONFIG_WATCH");
            }
            Integer previous = lines.get(entry.key);
            if (previous != null) {
                throw new ConfigException(source, entry.key, entry.value,
                        "set twice in this file, at lines " + previous + " and " + entry.line);
            }
            lines.put(entry.key, entry.line);
            file.add(new Setting(source, name, name.group, entry.value, maxHeap));
        }
        return file;
    }

    private static KeyNames.KeyName classify(String source, String key, String value, String prefix)
            throws ConfigException {
        try {
            return KeyNames.classify(key, prefix);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, key, value, e.getMessage());
        }
    }
}

using System.Globalization;
using System.Text;

namespace Platform.Sandbox.Agent;

/// <summary>Reads the Prometheus text exposition (format 0.0.4) the agent serves: samples only, comments skipped.</summary>
internal static class MetricsText
{
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space <= 0)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            if (brace > 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                ParseLabels(line.AsSpan(brace + 1, close - brace - 1), labels);
            }
            else
            {
                name = line[..space];
            }

            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add(new MetricSample(name, labels, value));
            }
        }

        return samples;
    }

    private static void ParseLabels(ReadOnlySpan<char> text, Dictionary<string, string> labels)
    {
        var i = 0;
        while (i < text.Length)
        {
            var equals = text[i..].IndexOf('=');
            if (equals < 0 || i + equals + 1 >= text.Length || text[i + equals + 1] != '"')
            {
                return;
            }

            var key = text.Slice(i, equals).Trim().ToString();
            i += equals + 2;
            var value = new StringBuilder();
            while (i < text.Length && text[i] != '"')
            {
                // The exposition escapes backslash, quote and newline inside label values.
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    i++;
                    value.Append(text[i] == 'n' ? '\n' : text[i]);
                }
                else
                {
                    value.Append(text[i]);
                }

                i++;
            }

            labels[key] = value.ToString();
            i++;
            while (i < text.Length && (text[i] == ',' || text[i] == ' '))
            {
                i++;
            }
        }
    }
}

using System.Globalization;

namespace Platform.Webhook.Tests.Diagnostics;

/// <summary>Reads one sample from Prometheus text exposition.</summary>
internal static class MetricsText
{
    /// <summary>The value of the series written exactly as <paramref name="series"/> (name and labels), or null.</summary>
    public static double? Value(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}

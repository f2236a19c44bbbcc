using System.Globalization;

namespace Platform.NodeAgent.Remediation;

/// <summary>
/// The node's evictions of the last hour as the <c>raygpu.io/evictions</c> Node annotation carries them: RFC 3339
/// times in UTC to the second, comma-separated, oldest first. The annotation is only the persistence of the eviction
/// rate rail's in-memory list, so that an agent that restarts (a crash loop on a node whose GPUs keep failing) does
/// not forget what it evicted.
/// </summary>
internal static class EvictionHistory
{
    private const string WriteFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    // RFC 3339 date-times: a 'T', a zone ('Z' or an offset), seconds with an optional fraction. Written by hand the
    // value may carry an offset or a fraction; anything else (no zone, a date alone, epoch seconds) is not a time.
    private static readonly string[] ReadFormats =
    [
        WriteFormat,
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    /// <summary>
    /// The times of the annotation still within the rate's window at <paramref name="now"/>, oldest first. A time
    /// in the future (another clock was ahead) counts as now: the rail errs towards evicting less, never more.
    /// </summary>
    public static List<DateTimeOffset> Parse(string? value, DateTimeOffset now, out IReadOnlyList<string> unparseable)
    {
        var times = new List<DateTimeOffset>();
        var rejected = new List<string>();
        foreach (var entry in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!DateTimeOffset.TryParseExact(entry, ReadFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                rejected.Add(entry);
                continue;
            }

            var at = ToSecond(time > now ? now : time);
            if (Within(at, now))
            {
                times.Add(at);
            }
        }

        times.Sort();
        unparseable = rejected;
        return times;
    }

    /// <summary>The annotation's value: the times within the window at <paramref name="now"/>, oldest first.</summary>
    public static string Format(IEnumerable<DateTimeOffset> times, DateTimeOffset now) =>
        string.Join(',', times.Where(t => Within(t, now)).Order().Select(t => t.UtcDateTime.ToString(WriteFormat, CultureInfo.InvariantCulture)));

    /// <summary>The time as the annotation keeps it, so that the list in memory and the one written agree.</summary>
    public static DateTimeOffset ToSecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static bool Within(DateTimeOffset time, DateTimeOffset now) => now - time < SafetyRails.EvictionRateWindow;
}

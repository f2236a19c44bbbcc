using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Sandbox.Output;

/// <summary>
/// Where the sandbox writes. Text: steps, progress, tables on stdout, coloured on a terminal (not with NO_COLOR or
/// TERM=dumb). JSON: progress on stderr, one document on stdout at the end, so scripts can pipe it.
/// </summary>
internal sealed class SandboxOutput(TextWriter stdout, TextWriter stderr, bool json, bool colour)
{
    public const int Steps = 7;

    public bool Json { get; } = json;

    public static bool TerminalWantsColour() =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    public void Step(int number, string title)
    {
        var line = $"[{number}/{Steps}] {title}";
        if (Json)
        {
            stderr.WriteLine(line);
            return;
        }

        stdout.WriteLine();
        stdout.WriteLine(Paint(line, Tone.Bold));
    }

    public void Progress(string text)
    {
        (Json ? stderr : stdout).WriteLine(Json ? "  " + text : Paint("  · " + text, Tone.Dim));
        (Json ? stderr : stdout).Flush();
    }

    public void Line(string text, Tone tone = Tone.Plain)
    {
        if (!Json)
        {
            stdout.WriteLine(Paint("  " + text, tone));
        }
    }

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, Func<IReadOnlyList<string>, Tone>? toneOf = null)
    {
        if (Json)
        {
            return;
        }

        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        string Format(IReadOnlyList<string> cells) =>
            "  " + string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        stdout.WriteLine(Paint(Format(headers), Tone.Bold));
        stdout.WriteLine(Paint("  " + string.Join("  ", widths.Select(w => new string(colour ? '─' : '-', w))), Tone.Dim));
        foreach (var row in all)
        {
            stdout.WriteLine(Paint(Format(row), toneOf?.Invoke(row) ?? Tone.Plain));
        }
    }

    public void Error(string step, string message)
    {
        var text = new StringBuilder().Append("sandbox: ").Append(step).Append(": ").Append(message).ToString();
        stderr.WriteLine(colour ? Paint(text, Tone.Bad) : text);
    }

    public void Document(JsonObject document)
    {
        if (Json)
        {
            stdout.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private string Paint(string text, Tone tone) => !colour || tone == Tone.Plain ? text : tone switch
    {
        Tone.Good => $"\u001b[32m{text}\u001b[0m",
        Tone.Warn => $"\u001b[33m{text}\u001b[0m",
        Tone.Bad => $"\u001b[31m{text}\u001b[0m",
        Tone.Dim => $"\u001b[2m{text}\u001b[0m",
        Tone.Bold => $"\u001b[1m{text}\u001b[0m",
        _ => text,
    };
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Webhook.Mutation;

/// <summary>Keeps <c>ray start --num-gpus</c> in step with the Kubernetes GPU limit. KubeRay writes the flag
/// into <c>args[0]</c> (<c>ulimit -n 65536; ray start ... --num-gpus=1 ...</c>) and repeats the line in
/// <c>KUBERAY_GEN_RAY_START_CMD</c>; if the webhook changes the limit without the flag, Ray and the
/// kubelet disagree about how many GPUs the node has.</summary>
internal static partial class RayStartCommand
{
    private const string Flag = "--num-gpus";

    /// <summary>Returns the command with <c>--num-gpus=<paramref name="gpus"/></c> in every <c>ray start</c>
    /// (replacing <c>--num-gpus=X</c>, <c>--num-gpus X</c>, and adding the flag where it is missing when
    /// <paramref name="addWhenMissing"/>), or null when the command has no <c>ray start</c> to rewrite.
    /// <paramref name="previous"/> is the first value the flag had, or null when it was missing.</summary>
    public static string? WithNumGpus(string command, int gpus, bool addWhenMissing, out string? previous)
    {
        previous = null;
        var matches = RayStart().Matches(command);
        if (matches.Count == 0)
        {
            return null;
        }

        var value = gpus.ToString(CultureInfo.InvariantCulture);
        var edits = new List<(int Start, int Length, string Text)>();
        foreach (Match match in matches)
        {
            var from = match.Index + match.Length;
            var tokens = Tokens(command, from, SegmentEnd(command, from));
            var found = false;
            for (var i = 0; i < tokens.Count; i++)
            {
                var (start, length) = tokens[i];
                var token = command.AsSpan(start, length);
                if (token.StartsWith(Flag + "=", StringComparison.Ordinal))
                {
                    previous ??= token[(Flag.Length + 1)..].ToString();
                    edits.Add((start, length, $"{Flag}={value}"));
                    found = true;
                }
                else if (token.SequenceEqual(Flag) && i + 1 < tokens.Count)
                {
                    var next = tokens[++i];
                    previous ??= command.Substring(next.Start, next.Length);
                    edits.Add((start, next.Start + next.Length - start, $"{Flag}={value}"));
                    found = true;
                }
            }

            if (!found && addWhenMissing)
            {
                edits.Add((from, 0, $" {Flag}={value}"));
            }
        }

        var result = new StringBuilder(command);
        for (var i = edits.Count - 1; i >= 0; i--)
        {
            var (start, length, text) = edits[i];
            result.Remove(start, length).Insert(start, text);
        }

        return result.ToString();
    }

    /// <summary>The ray start invocation ends at the next shell separator outside quotes.</summary>
    private static int SegmentEnd(string command, int from)
    {
        var quote = '\0';
        for (var i = from; i < command.Length; i++)
        {
            var c = command[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c is ';' or '&' or '|' or '\n' or ')')
            {
                return i;
            }
        }

        return command.Length;
    }

    /// <summary>Whitespace-separated tokens; quoted runs stay inside their token.</summary>
    private static List<(int Start, int Length)> Tokens(string command, int from, int to)
    {
        var tokens = new List<(int, int)>();
        var i = from;
        while (i < to)
        {
            while (i < to && char.IsWhiteSpace(command[i]))
            {
                i++;
            }

            var start = i;
            var quote = '\0';
            while (i < to && (quote != '\0' || !char.IsWhiteSpace(command[i])))
            {
                var c = command[i];
                if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }

                i++;
            }

            if (i > start)
            {
                tokens.Add((start, i - start));
            }
        }

        return tokens;
    }

    [GeneratedRegex(@"(?<![\w.-])ray\s+start(?=\s|$|;)", RegexOptions.CultureInvariant)]
    private static partial Regex RayStart();
}

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
    /// <paramref name="previous"/> is the first value the flag had, or null when it was missing. A line that
    /// already says so is returned as the same string: most pods agree, and then nothing is allocated.</summary>
    public static string? WithNumGpus(string command, int gpus, bool addWhenMissing, out string? previous)
    {
        previous = null;
        Span<char> digits = stackalloc char[11];
        gpus.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        ReadOnlySpan<char> value = digits[..written];
        List<(int Start, int Length)>? edits = null;
        var any = false;
        foreach (var match in RayStart().EnumerateMatches(command))
        {
            any = true;
            var from = match.Index + match.Length;
            var end = SegmentEnd(command, from);
            var found = false;
            var at = from;
            while (NextToken(command, ref at, end) is var (start, length) && length > 0)
            {
                var token = command.AsSpan(start, length);
                if (token.StartsWith(Flag + "=", StringComparison.Ordinal))
                {
                    var said = token[(Flag.Length + 1)..];
                    previous ??= said.ToString();
                    found = true;
                    if (!said.SequenceEqual(value))
                    {
                        (edits ??= []).Add((start, length));
                    }
                }
                else if (token.SequenceEqual(Flag) && NextToken(command, ref at, end) is var (next, nextLength) && nextLength > 0)
                {
                    previous ??= command.Substring(next, nextLength);
                    found = true;
                    (edits ??= []).Add((start, next + nextLength - start));
                }
            }

            if (!found && addWhenMissing)
            {
                (edits ??= []).Add((from, 0));
            }
        }

        if (!any)
        {
            return null;
        }

        if (edits is null)
        {
            return command;
        }

        var flag = $"{Flag}={value}";
        var result = new StringBuilder(command);
        for (var i = edits.Count - 1; i >= 0; i--)
        {
            var (start, length) = edits[i];
            result.Remove(start, length).Insert(start, length == 0 ? " " + flag : flag);
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

    /// <summary>The next whitespace-separated token from <paramref name="at"/> up to <paramref name="to"/>, moving
    /// past it; quoted runs stay inside their token. Length 0 when none is left.</summary>
    private static (int Start, int Length) NextToken(string command, ref int at, int to)
    {
        var i = at;
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

        at = i;
        return (start, i - start);
    }

    [GeneratedRegex(@"(?<![\w.-])ray\s+start(?=\s|$|;)", RegexOptions.CultureInvariant)]
    private static partial Regex RayStart();
}

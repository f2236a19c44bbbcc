using System.Globalization;
using System.Text;

namespace Platform.DevicePlugin.Allocation;

/// <summary>
/// Device IDs as they appear in status messages and logs. IDs come from the kubelet's request, so their
/// number and length are unbounded; a gRPC status travels in an HTTP/2 header, and one over the peer's
/// header limit (8 KiB for the kubelet's Go client) breaks the connection instead of failing the call.
/// </summary>
internal static class DeviceIdText
{
    /// <summary>Longest status message answered, in UTF-8 bytes.</summary>
    public const int MaxMessageBytes = 1024;

    /// <summary>Longest device ID echoed; real IDs are at most 63 characters (<c>GPU-&lt;uuid&gt;::&lt;n&gt;</c> fits).</summary>
    public const int MaxIdChars = 80;

    /// <summary>How many IDs a list names before counting the rest.</summary>
    public const int ListedIds = 3;

    /// <summary>One ID, quoted, cut to <see cref="MaxIdChars"/> characters with its full length noted.</summary>
    public static string One(string id) =>
        id.Length <= MaxIdChars
            ? $"'{id}'"
            : string.Create(CultureInfo.InvariantCulture, $"'{id[..MaxIdChars]}…' ({id.Length:N0} characters)");

    /// <summary>The first <see cref="ListedIds"/> IDs, then "… and 9,998 more".</summary>
    public static string List(IReadOnlyCollection<string> ids)
    {
        var shown = string.Join(", ", ids.Take(ListedIds).Select(One));
        return ids.Count <= ListedIds
            ? shown
            : string.Create(CultureInfo.InvariantCulture, $"{shown} … and {ids.Count - ListedIds:N0} more");
    }

    /// <summary>The message cut to <see cref="MaxMessageBytes"/> UTF-8 bytes at a character boundary, ending in "…".</summary>
    public static string Cap(string message)
    {
        if (Encoding.UTF8.GetByteCount(message) <= MaxMessageBytes)
        {
            return message;
        }

        const string Ellipsis = "…";
        var budget = MaxMessageBytes - Encoding.UTF8.GetByteCount(Ellipsis);
        var builder = new StringBuilder(budget);
        var used = 0;
        foreach (var rune in message.EnumerateRunes())
        {
            used += rune.Utf8SequenceLength;
            if (used > budget)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder.Append(Ellipsis).ToString();
    }
}

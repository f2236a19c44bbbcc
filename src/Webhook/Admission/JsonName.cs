using System.Text.Json;

namespace Platform.Webhook.Admission;

/// <summary>A property name as <see cref="JsonScanner"/> met it: the quoted text as written.</summary>
internal readonly ref struct JsonName(ReadOnlySpan<byte> quoted, bool escaped)
{
    private readonly ReadOnlySpan<byte> quoted = quoted;

    /// <summary>The name as written, quotes included.</summary>
    public ReadOnlySpan<byte> Quoted => quoted;

    /// <summary>Whether the name as written holds an escape sequence.</summary>
    public bool Escaped => escaped;

    /// <summary>Whether the name is <paramref name="utf8"/>, with escapes decoded.</summary>
    public bool Is(ReadOnlySpan<byte> utf8)
    {
        if (!escaped)
        {
            return quoted[1..^1].SequenceEqual(utf8);
        }

        // Rare: an escaped name ("na\u006de"). The reader decodes escapes exactly as JSON defines them.
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.ValueTextEquals(utf8);
    }
}

namespace Platform.Webhook.Admission;

/// <summary>An object's members as <see cref="SlotReader.Object"/> found them in the body: the values of the
/// names asked for (absent slots for the others), and every member's name (unquoted) and value in order.</summary>
internal sealed record SlotMembers(Slot[] Values, List<(Slot Name, Slot Value)> All)
{
    /// <summary>Where member <paramref name="name"/> (UTF-8, unescaped) is in <see cref="All"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name.In(body).SequenceEqual(name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The value of member <paramref name="name"/>, or an absent slot.</summary>
    public Slot Find(ReadOnlySpan<byte> body, string name)
    {
        Span<byte> utf8 = name.Length <= 256 ? stackalloc byte[name.Length * 3] : new byte[name.Length * 3];
        var length = System.Text.Encoding.UTF8.GetBytes(name, utf8);
        return IndexOf(body, utf8[..length]) is var i and >= 0 ? All[i].Value : default;
    }
}

namespace Platform.Webhook.Admission;

/// <summary>Reads an object or an array of a body that <see cref="JsonScanner"/> has validated, in place: where
/// each member or element lies, nothing decoded or copied.</summary>
internal static class SlotReader
{
    /// <summary>The members of the object at <paramref name="slot"/>, with the values of <paramref name="names"/>
    /// picked out; none when the slot is absent or not an object. Null when a name repeats or is written with
    /// an escape: how those read is the general path's to decide.</summary>
    public static SlotMembers? Object(ReadOnlySpan<byte> body, Slot slot, byte[][] names)
    {
        var members = new SlotMembers(names.Length == 0 ? [] : new Slot[names.Length], []);
        if (!slot.IsObjectIn(body))
        {
            return members;
        }

        var scanner = JsonScanner.OverReadValue(slot.In(body));
        scanner.EnterObject();
        var first = true;
        while (scanner.NextProperty(ref first, out var name))
        {
            var nameSlot = new Slot(slot.Start + scanner.NameStart + 1, name.Quoted.Length - 2);
            if (name.Escaped || members.IndexOf(body, nameSlot.In(body)) >= 0)
            {
                return null;
            }

            var start = scanner.SkipValue();
            var value = new Slot(slot.Start + start, scanner.Position - start);
            members.All.Add((nameSlot, value));
            for (var i = 0; i < names.Length; i++)
            {
                if (nameSlot.In(body).SequenceEqual(names[i]))
                {
                    members.Values[i] = value;
                }
            }
        }

        return members;
    }

    /// <summary>The elements of the array at <paramref name="slot"/>; none when absent or not an array.</summary>
    public static List<Slot> Array(ReadOnlySpan<byte> body, Slot slot)
    {
        var elements = new List<Slot>();
        if (!slot.IsArrayIn(body))
        {
            return elements;
        }

        var scanner = JsonScanner.OverReadValue(slot.In(body));
        scanner.EnterArray();
        var first = true;
        while (scanner.NextElement(ref first))
        {
            var start = scanner.SkipValue();
            elements.Add(new Slot(slot.Start + start, scanner.Position - start));
        }

        return elements;
    }
}

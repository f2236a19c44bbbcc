using System.Globalization;
using System.Text;

namespace Platform.NodeAgent.Dra.Slices;

/// <summary>
/// A slice's devices as one comparable string: what this driver decides (names, attributes, capacity,
/// taint key/value/effect), not what the server adds (a taint's <c>timeAdded</c>) or how it orders map keys.
/// Equal fingerprints mean the published slice needs no write.
/// </summary>
internal static class SliceFingerprint
{
    public static string Of(IEnumerable<SliceDeviceDto>? devices)
    {
        var text = new StringBuilder();
        foreach (var device in devices ?? [])
        {
            text.Append("device ").Append(device.Name).Append('\n');
            foreach (var (name, value) in (device.Attributes ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.Append(" attr ").Append(name).Append(' ').Append(Attribute(value)).Append('\n');
            }

            foreach (var (name, capacity) in (device.Capacity ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.Append(" capacity ").Append(name).Append(' ').Append(capacity.Value).Append('\n');
            }

            foreach (var taint in device.Taints ?? [])
            {
                text.Append(" taint ").Append(taint.Key).Append('=').Append(taint.Value).Append(':').Append(taint.Effect).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Attribute(DeviceAttributeDto value) =>
        value.Int is { } i ? "int:" + i.ToString(CultureInfo.InvariantCulture)
        : value.Bool is { } b ? (b ? "bool:true" : "bool:false")
        : value.Version is { } v ? "version:" + v
        : "string:" + value.String;
}

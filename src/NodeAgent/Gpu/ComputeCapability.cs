using System.Globalization;

namespace Platform.NodeAgent.Gpu;

/// <summary>CUDA compute capability, e.g. 8.6 for an A10G, 9.0 for an H100.</summary>
internal readonly record struct ComputeCapability(int Major, int Minor)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");

    public static bool TryParse(string? text, out ComputeCapability value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || major is < 1 or > 99 || minor > 9)
        {
            return false;
        }

        value = new ComputeCapability(major, minor);
        return true;
    }

    public static ComputeCapability Parse(string? text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a compute capability; expected <major>.<minor>, e.g. 8.6.");
}

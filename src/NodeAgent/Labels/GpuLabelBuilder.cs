using System.Globalization;
using System.Text;
using Platform.NodeAgent.Gpu;

namespace Platform.NodeAgent.Labels;

/// <summary>How the device plugin shares GPUs; feeds the replicas and sharing-strategy labels.</summary>
internal sealed record GpuSharing(int Replicas, string Strategy)
{
    public static readonly GpuSharing None = new(1, "none");
}

/// <summary>
/// Computes the Node labels from discovery: a pure function, so the labels are table-tested and the
/// publisher only patches when the result differs from the Node. No GPUs → no labels (all owned keys go).
/// </summary>
internal static class GpuLabelBuilder
{
    public static SortedDictionary<string, string> Build(GpuDiscovery discovery, GpuSharing sharing, DateTimeOffset startedAt)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (discovery.Devices.Count == 0)
        {
            return labels;
        }

        // GFD describes the node by its first GPU; nodes mix models rarely, and selectors expect one value.
        var first = discovery.Devices[0];
        labels[GpuLabels.Present] = "true";
        if (discovery.Source == GpuDriverKinds.Simulated)
        {
            labels[GpuLabels.Simulated] = "true";
        }

        labels[GpuLabels.Count] = Invariant(discovery.Devices.Count);
        labels[GpuLabels.Product] = SanitizeProduct(first.Name);
        labels[GpuLabels.Memory] = Invariant(first.MemoryMiB);
        labels[GpuLabels.Family] = Family(first.ComputeCapability);
        labels[GpuLabels.ComputeMajor] = Invariant(first.ComputeCapability.Major);
        labels[GpuLabels.ComputeMinor] = Invariant(first.ComputeCapability.Minor);
        if (discovery.DriverVersion.Length > 0)
        {
            var (major, minor, revision) = DriverVersion.SplitDriver(discovery.DriverVersion);
            labels[GpuLabels.DriverMajor] = major;
            labels[GpuLabels.DriverMinor] = minor;
            labels[GpuLabels.DriverRevision] = revision;
            labels[GpuLabels.DriverFull] = discovery.DriverVersion;
        }

        if (discovery.CudaDriverVersion > 0)
        {
            var (major, minor) = DriverVersion.SplitCuda(discovery.CudaDriverVersion);
            labels[GpuLabels.RuntimeMajor] = Invariant(major);
            labels[GpuLabels.RuntimeMinor] = Invariant(minor);
            labels[GpuLabels.RuntimeFull] = DriverVersion.FormatCuda(discovery.CudaDriverVersion);
        }

        labels[GpuLabels.Replicas] = Invariant(sharing.Replicas);
        labels[GpuLabels.SharingStrategy] = sharing.Strategy;
        labels[GpuLabels.MigCapable] = discovery.Devices.Any(d => d.MigCapable) ? "true" : "false";
        labels[GpuLabels.Timestamp] = Invariant(startedAt.ToUnixTimeSeconds());
        return labels;
    }

    /// <summary>
    /// GFD's product spelling: spaces become '-', characters a label value cannot hold are dropped,
    /// at most 63 characters, starting and ending alphanumeric ("NVIDIA H100 80GB HBM3" → "NVIDIA-H100-80GB-HBM3").
    /// </summary>
    public static string SanitizeProduct(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            if (c == ' ')
            {
                builder.Append('-');
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            {
                builder.Append(c);
            }
        }

        var value = builder.ToString();
        if (value.Length > 63)
        {
            value = value[..63];
        }

        return value.Trim('-', '_', '.');
    }

    /// <summary>The architecture family GFD derives from the compute capability.</summary>
    public static string Family(ComputeCapability capability) => capability switch
    {
        { Major: 3 } => "kepler",
        { Major: 5 } => "maxwell",
        { Major: 6 } => "pascal",
        { Major: 7, Minor: < 5 } => "volta",
        { Major: 7 } => "turing",
        { Major: 8, Minor: 9 } => "ada-lovelace",
        { Major: 8 } => "ampere",
        { Major: 9 } => "hopper",
        { Major: 10 or 12 } => "blackwell",
        _ => "undefined",
    };

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}

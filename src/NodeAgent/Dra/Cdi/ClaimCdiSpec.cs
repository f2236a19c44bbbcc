using System.Text.Json;

namespace Platform.NodeAgent.Dra.Cdi;

/// <summary>
/// The CDI names the driver uses and the claim's own CDI spec. GPUs reach containers under the NVIDIA
/// container toolkit's names (<c>nvidia.com/gpu=&lt;uuid&gt;</c>, as the device plugin's cdi strategy gives
/// them); the driver's spec adds one device per claim, <c>&lt;driver&gt;/claim=&lt;claim uid&gt;</c>, whose only
/// edit is <c>NVIDIA_VISIBLE_DEVICES</c> listing the claim's GPUs, for tools that read it.
/// </summary>
internal static class ClaimCdiSpec
{
    /// <summary>The container toolkit's CDI kind for whole GPUs (<c>nvidia-ctk cdi generate</c>).</summary>
    public const string ToolkitGpuKind = "nvidia.com/gpu";

    public const string ClaimClass = "claim";

    /// <summary>
    /// The oldest version whose schema covers env-only edits and that the CDI library of containerd 1.7 and
    /// CRI-O still accept; newer runtimes read it too.
    /// </summary>
    public const string CdiVersion = "0.5.0";

    public static string Kind(string driverName) => $"{driverName}/{ClaimClass}";

    public static string GpuDeviceId(string uuid) => $"{ToolkitGpuKind}={uuid}";

    public static string ClaimDeviceId(string driverName, string claimUid) => $"{Kind(driverName)}={claimUid}";

    /// <summary>The cdi library's name for a transient spec: <c>&lt;vendor&gt;-&lt;class&gt;_&lt;id&gt;.json</c>.</summary>
    public static string FileName(string driverName, string claimUid) => $"{driverName}-{ClaimClass}_{claimUid}.json";

    public static byte[] Build(string driverName, string claimUid, IEnumerable<string> uuids)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cdiVersion", CdiVersion);
            json.WriteString("kind", Kind(driverName));
            json.WriteStartArray("devices");
            json.WriteStartObject();
            json.WriteString("name", claimUid);
            json.WriteStartObject("containerEdits");
            json.WriteStartArray("env");
            json.WriteStringValue($"NVIDIA_VISIBLE_DEVICES={string.Join(',', uuids)}");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}

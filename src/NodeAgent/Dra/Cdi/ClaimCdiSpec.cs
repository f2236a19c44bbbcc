using System.Text.Json;

namespace Platform.NodeAgent.Dra.Cdi;

/// <summary>
/// The CDI names the driver uses and the claim's own CDI spec. GPUs reach containers under the NVIDIA
/// container toolkit's names (<c>nvidia.com/gpu=&lt;uuid&gt;</c>, as the device plugin's cdi strategy gives
/// them); the driver's spec adds one device per request of the claim,
/// <c>&lt;driver&gt;/claim=&lt;claim uid&gt;-&lt;request&gt;</c>, whose only edit is <c>NVIDIA_VISIBLE_DEVICES</c>
/// listing that request's GPUs, for the toolkit's legacy mode and tools that read it. Per request, not per
/// claim: the kubelet gives a container that names one request only the CDI ids of that request's devices,
/// and a variable naming the whole claim would let the toolkit's hook inject the other requests' GPUs too.
/// </summary>
internal static class ClaimCdiSpec
{
    /// <summary>The container toolkit's CDI kind for whole GPUs (<c>nvidia-ctk cdi generate</c>).</summary>
    public const string ToolkitGpuKind = "nvidia.com/gpu";

    public const string ClaimClass = "claim";

    /// <summary>
    /// Stands for the <c>/</c> of a prioritized-list request (<c>&lt;request&gt;/&lt;subrequest&gt;</c>), which a
    /// CDI device name may not hold. CDI names allow letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>:</c>;
    /// request names are DNS labels, which never hold <c>_</c>, so the mapped name cannot meet another request's.
    /// </summary>
    public const char SubrequestSeparator = '_';

    /// <summary>
    /// The oldest version whose schema covers env-only edits and that the CDI library of containerd 1.7 and
    /// CRI-O still accept; newer runtimes read it too.
    /// </summary>
    public const string CdiVersion = "0.5.0";

    public static string Kind(string driverName) => $"{driverName}/{ClaimClass}";

    public static string GpuDeviceId(string uuid) => $"{ToolkitGpuKind}={uuid}";

    /// <summary>
    /// The request's device name. Kubernetes uids are UUIDs, all 36 characters long, so the uid and the request
    /// never run into each other across claims although both may hold <c>-</c>.
    /// </summary>
    public static string RequestDeviceName(string claimUid, string request) =>
        $"{claimUid}-{request.Replace(DraRequestName.SubrequestSeparator, SubrequestSeparator)}";

    public static string RequestDeviceId(string driverName, string claimUid, string request) =>
        $"{Kind(driverName)}={RequestDeviceName(claimUid, request)}";

    /// <summary>What the kubelet gets for one GPU: the toolkit's GPU and the device of every request it serves.</summary>
    public static IReadOnlyList<string> DeviceIds(string driverName, string claimUid, string uuid, IEnumerable<string> requests) =>
        [GpuDeviceId(uuid), .. requests.Distinct(StringComparer.Ordinal).Select(r => RequestDeviceId(driverName, claimUid, r))];

    /// <summary>The cdi library's name for a transient spec: <c>&lt;vendor&gt;-&lt;class&gt;_&lt;id&gt;.json</c>.</summary>
    public static string FileName(string driverName, string claimUid) => $"{driverName}-{ClaimClass}_{claimUid}.json";

    /// <summary>
    /// The claim's spec, derived from the CDI ids given to the kubelet: each id of this driver's kind is one
    /// device whose variable lists the GPUs that carry it, in order. Built from the ids rather than from the
    /// requests so that a claim recorded by an older agent (one <c>claim=&lt;uid&gt;</c> device on every GPU)
    /// gets back exactly the spec its recorded ids name when the file must be written again.
    /// </summary>
    public static byte[] Build(string driverName, IEnumerable<(string Uuid, IReadOnlyList<string> CdiDeviceIds)> gpus)
    {
        var prefix = Kind(driverName) + "=";
        var devices = new List<(string Name, List<string> Uuids)>();
        foreach (var (uuid, ids) in gpus)
        {
            foreach (var id in ids.Where(i => i.StartsWith(prefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
            {
                var name = id[prefix.Length..];
                var index = devices.FindIndex(d => d.Name == name);
                if (index < 0)
                {
                    devices.Add((name, [uuid]));
                }
                else if (!devices[index].Uuids.Contains(uuid))
                {
                    devices[index].Uuids.Add(uuid);
                }
            }
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cdiVersion", CdiVersion);
            json.WriteString("kind", Kind(driverName));
            json.WriteStartArray("devices");
            foreach (var (name, uuids) in devices)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteStartObject("containerEdits");
                json.WriteStartArray("env");
                json.WriteStringValue($"NVIDIA_VISIBLE_DEVICES={string.Join(',', uuids)}");
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}

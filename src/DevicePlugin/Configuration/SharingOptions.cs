namespace Platform.DevicePlugin.Configuration;

/// <summary>Section <c>DevicePlugin:Sharing</c>: time-slicing, one GPU advertised as several replicas <c>&lt;uuid&gt;::&lt;n&gt;</c>.</summary>
public sealed class SharingOptions
{
    /// <summary>Replicas per GPU for GPUs without an override. Default 1 (no sharing).</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>Per-GPU replica counts, matched by UUID, then index, then product name. Default none.</summary>
    public List<ReplicaOverride> Devices { get; set; } = [];

    /// <summary>Resource name for GPUs with more than one replica; GPUs with one replica stay under
    /// <c>ResourceName</c>. Must end in <c>gpu</c> (KubeRay only counts such names), e.g. <c>nvidia.com/shared-gpu</c>.
    /// Default unset: shared GPUs are advertised under <c>ResourceName</c>.</summary>
    public string? SharedResourceName { get; set; }

    /// <summary>Socket file name of the shared resource. Default derived from <see cref="SharedResourceName"/>.</summary>
    public string? SharedSocketName { get; set; }

    /// <summary>Reject a container that asks for more than one replica of a shared GPU (a replica is no
    /// guarantee of more compute). Default false.</summary>
    public bool FailRequestsGreaterThanOne { get; set; }

    /// <summary>Which replicas GetPreferredAllocation prefers: <c>distributed</c> (spread over the least used GPUs)
    /// or <c>packed</c> (fill the most used GPUs first). Default <c>distributed</c>.</summary>
    public string Placement { get; set; } = "distributed";
}

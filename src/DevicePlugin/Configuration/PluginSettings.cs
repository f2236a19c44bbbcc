namespace Platform.DevicePlugin.Configuration;

/// <summary>
/// <see cref="DevicePluginOptions"/> after validation: strings parsed into the values the core uses.
/// Built once at start; the core never re-parses configuration.
/// </summary>
internal sealed record PluginSettings
{
    public required string KubeletDirectory { get; init; }

    public required ResourceSettings Primary { get; init; }

    public ResourceSettings? Shared { get; init; }

    public required AllocateStrategies Strategies { get; init; }

    public required DeviceIdStrategy IdStrategy { get; init; }

    public required string VisibleDevicesEnvVar { get; init; }

    public required IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; }

    public required string CdiKind { get; init; }

    public required IReadOnlyList<string> ControlDeviceNodes { get; init; }

    public required string HostRoot { get; init; }

    public required bool PreferredAllocation { get; init; }

    public required bool PreStartCheck { get; init; }

    public required ReplicaPolicy Replicas { get; init; }

    public TimeSpan RegistrationInitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RegistrationMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan KubeletCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ListAndWatchCoalesce { get; init; } = TimeSpan.FromMilliseconds(10);

    public IEnumerable<ResourceSettings> Resources => Shared is null ? [Primary] : [Primary, Shared];

    public string KubeletSocketPath => Path.Combine(KubeletDirectory, KubeletPaths.KubeletSocketName);
}

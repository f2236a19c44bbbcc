namespace Platform.DevicePlugin.Events;

/// <summary>State of one advertised resource.</summary>
public sealed record ResourceStatus(string ResourceName)
{
    public bool Listening { get; init; }

    public bool Registered { get; init; }

    public DateTimeOffset? LastRegisteredAt { get; init; }

    public int ActiveStreams { get; init; }

    public string? LastError { get; init; }
}

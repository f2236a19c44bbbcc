namespace Platform.NodeAgent.Health;

internal enum GpuHealthState
{
    Healthy,
    Unhealthy,
}

/// <summary>
/// A GPU changed health. <see cref="Reason"/> is a short machine-readable word used as a metric label
/// and Event reason detail (<c>xid-79</c>, <c>gpu-lost</c>, <c>recovered-after-reset</c>, ...);
/// <see cref="Detail"/> is the sentence for humans.
/// </summary>
internal sealed record HealthTransition(
    string Uuid,
    int Index,
    GpuHealthState From,
    GpuHealthState To,
    string Reason,
    string Detail,
    bool Fatal,
    DateTimeOffset At);

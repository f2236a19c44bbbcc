namespace Platform.NodeAgent.Metrics;

/// <summary>What one resource last told the kubelet: the GPUs behind it and its device IDs by health.</summary>
internal readonly record struct Advertisement(int Gpus, int Healthy, int Unhealthy)
{
    public static readonly Advertisement None = new(0, 0, 0);
}

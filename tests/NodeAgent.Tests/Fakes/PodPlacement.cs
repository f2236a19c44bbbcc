namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>What the fake API server reports of a pod besides its labels: uid, node and IP.</summary>
internal sealed record PodPlacement(string Uid, string NodeName, string PodIp);

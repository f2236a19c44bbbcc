using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Tests.Remediation;

public sealed class RemediationModesTests
{
    [Theory]
    // Workers get the configured mode.
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, null, RemediationMode.Evict)]
    [InlineData(RemediationMode.Drain, false, RayPodKind.Worker, null, RemediationMode.Drain)]
    [InlineData(RemediationMode.Off, true, RayPodKind.Worker, null, RemediationMode.Off)]
    // Heads are never evicted nor drained.
    [InlineData(RemediationMode.Evict, true, RayPodKind.Head, null, RemediationMode.Annotate)]
    [InlineData(RemediationMode.Drain, false, RayPodKind.Head, null, RemediationMode.Annotate)]
    // Non-Ray pods: annotate unless NonRayPods=Evict, and then only in evict mode.
    [InlineData(RemediationMode.Evict, false, RayPodKind.Other, null, RemediationMode.Annotate)]
    [InlineData(RemediationMode.Evict, true, RayPodKind.Other, null, RemediationMode.Evict)]
    [InlineData(RemediationMode.Drain, true, RayPodKind.Other, null, RemediationMode.Annotate)]
    [InlineData(RemediationMode.Off, true, RayPodKind.Other, null, RemediationMode.Off)]
    // The namespace label lowers, never raises.
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, "off", RemediationMode.Off)]
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, "annotate", RemediationMode.Annotate)]
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, "Drain", RemediationMode.Drain)]
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, " OFF ", RemediationMode.Off)]
    [InlineData(RemediationMode.Annotate, false, RayPodKind.Worker, "drain", RemediationMode.Annotate)]
    [InlineData(RemediationMode.Drain, false, RayPodKind.Worker, "evict", RemediationMode.Drain)]
    [InlineData(RemediationMode.Off, false, RayPodKind.Worker, "evict", RemediationMode.Off)]
    // An unknown value is read as annotate: a mistyped opt-out never lets the agent evict.
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, "of", RemediationMode.Annotate)]
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, "", RemediationMode.Annotate)]
    [InlineData(RemediationMode.Evict, false, RayPodKind.Worker, "3", RemediationMode.Annotate)]
    public void For_KindAndNamespaceLabel_LowerOnly(object configured, bool evictNonRay, object kind, string? label, object expected) =>
        Assert.Equal((RemediationMode)expected, RemediationModes.For((RemediationMode)configured, evictNonRay, (RayPodKind)kind, label));

    [Theory]
    [InlineData("worker", "rc", RayPodKind.Worker)]
    [InlineData("head", "rc", RayPodKind.Head)]
    [InlineData("redis-cleanup", "rc", RayPodKind.Other)]
    [InlineData("worker", null, RayPodKind.Other)]
    [InlineData("worker", "", RayPodKind.Other)]
    [InlineData(null, "rc", RayPodKind.Other)]
    public void Classify_NodeTypeWithCluster(string? nodeType, string? cluster, object expected)
    {
        var labels = new Dictionary<string, string>();
        if (nodeType is not null)
        {
            labels["ray.io/node-type"] = nodeType;
        }

        if (cluster is not null)
        {
            labels["ray.io/cluster"] = cluster;
        }

        Assert.Equal((RayPodKind)expected, RemediationModes.Classify(labels));
    }

    [Theory]
    [InlineData("evict", true, RemediationMode.Evict)]
    [InlineData("EVICT", true, RemediationMode.Evict)]
    [InlineData("Annotate", true, RemediationMode.Annotate)]
    [InlineData("2", false, RemediationMode.Off)]
    [InlineData("cordon", false, RemediationMode.Off)]
    [InlineData(null, false, RemediationMode.Off)]
    public void TryParse_NamesOnly(string? text, bool ok, object expected)
    {
        Assert.Equal(ok, RemediationModes.TryParse(text, out var mode));
        if (ok)
        {
            Assert.Equal((RemediationMode)expected, mode);
        }
    }
}

using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Manifests;

public class PodInputCollectorTests
{
    [Fact]
    public void Collect_MixedDocuments_FindsPodsAndReportsTheRest()
    {
        var pod = Fixtures.Pod(Fixtures.GpuWorker);
        var yaml = YamlWriter.Write(pod) + "---\n" + YamlWriter.Write(Fixtures.Review(pod)) + "---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n---\n";

        var found = PodInputCollector.Collect(ManifestReader.Read(yaml, "mixed.yaml"), "default");

        Assert.Equal(2, found.Pods.Count);
        Assert.StartsWith("Pod/", found.Pods[0].Origin, StringComparison.Ordinal);
        Assert.Equal("AdmissionReview/705ab4f5-6393-11e8-b7cc-42010a800002", found.Pods[1].Origin);
        Assert.Equal("ml-team", found.Pods[1].Namespace);
        Assert.True(JsonNode.DeepEquals(pod, found.Pods[1].Pod));
        var skipped = Assert.Single(found.Skipped);
        Assert.Equal("Service/svc", skipped.Description);
    }

    [Fact]
    public void Collect_AdmissionReviewForUpdate_IsSkippedAsAllowed()
    {
        var review = Fixtures.Review(Fixtures.Pod(Fixtures.GpuWorker), operation: "UPDATE");

        var found = PodInputCollector.Collect([new ManifestDocument("r.json", 0, 1, review)], "default");

        Assert.Empty(found.Pods);
        Assert.Contains("only mutates pod CREATE", Assert.Single(found.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_KindList_IsExpanded()
    {
        var list = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["items"] = new JsonArray(Fixtures.Pod(Fixtures.CpuWorker), Fixtures.Pod(Fixtures.GpuWorker)),
        };

        var found = PodInputCollector.Collect([new ManifestDocument("list.json", 0, 1, list)], "default");

        Assert.Equal(2, found.Pods.Count);
    }

    [Fact]
    public void Collect_PodWithoutNamespace_UsesTheDefault()
    {
        var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}""");

        var found = PodInputCollector.Collect([new ManifestDocument("p.json", 0, 1, pod)], "team-a");

        Assert.Equal("team-a", Assert.Single(found.Pods).Namespace);
    }

    [Fact]
    public void Collect_ScalarDocument_IsAnError()
    {
        var error = Assert.Throws<ManifestFormatException>(() =>
            PodInputCollector.Collect(ManifestReader.Read("just a string\n", "s.yaml"), "default"));

        Assert.Contains("must be an object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_BrokenRayCluster_NamesResourceAndField()
    {
        var error = Assert.Throws<ManifestFormatException>(() =>
            PodInputCollector.Collect(ManifestReader.Read("apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: c}\nspec: {}\n", "c.yaml"), "default"));

        Assert.Equal("c.yaml:1:1: RayCluster/c: spec.headGroupSpec: missing; every Ray cluster has a head group", error.Message);
    }
}

using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Policy;

public class PolicyLoaderTests
{
    [Fact]
    public void Parse_IssueExample_ReadsEveryField()
    {
        var policy = TestPolicies.ExamplePolicy;

        Assert.Equal("nvidia.com/gpu", policy.GpuResourceName);
        Assert.Equal("nvidia.com/gpu.present", policy.GpuNodeLabel);
        Assert.True(policy.Head.AvoidGpuNodes);
        Assert.Equal("false", policy.Head.Annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"]);
        Assert.Equal(2, policy.GpuPods.Tolerations.Count);
        Assert.Equal(new Toleration("ray.io/node-type", "Equal", "worker", "NoSchedule", null), policy.GpuPods.Tolerations[1]);
        var a10g = policy.Profiles["a10g"];
        Assert.Equal(1, a10g.Gpus);
        Assert.False(a10g.Enforce);
        Assert.Equal("NVIDIA-A10G", a10g.NodeSelector["nvidia.com/gpu.product"]);
        var h100 = policy.Profiles["h100x8"];
        Assert.True(h100.Enforce);
        Assert.Equal(["us-east-1a", "us-east-1b"], h100.NodeAffinity[0].Values);
        var rule = Assert.Single(policy.Rules);
        Assert.Equal("a10g", rule.Profile);
        Assert.Equal(["ml-*"], rule.Namespaces);
    }

    [Fact]
    public void Parse_VersionOnly_TakesDocumentedDefaults()
    {
        var policy = TestPolicies.Parse("version: v1");

        Assert.Equal(GpuPolicy.DefaultGpuResourceName, policy.GpuResourceName);
        Assert.Equal(GpuPolicy.DefaultGpuNodeLabel, policy.GpuNodeLabel);
        Assert.True(policy.Head.AvoidGpuNodes);
        Assert.True(policy.Head.HideGpus);
        Assert.Equal(GpuPodPolicy.Default.Tolerations, policy.GpuPods.Tolerations);
        Assert.Empty(policy.Profiles);
        Assert.Empty(policy.Rules);
    }

    [Fact]
    public void Parse_Json_IsAccepted()
    {
        var policy = TestPolicies.Parse("""{"version": "v1", "profiles": {"t4": {"gpus": 2}}, "rules": [{"profile": "t4"}]}""");

        Assert.Equal(2, policy.Profiles["t4"].Gpus);
        Assert.Null(policy.Rules[0].Namespaces);
    }

    [Fact]
    public void Parse_ExplicitEmptyTolerations_MeansNone()
    {
        var policy = TestPolicies.Parse("version: v1\ngpuPods:\n  tolerations: []");

        Assert.Empty(policy.GpuPods.Tolerations);
    }

    [Theory]
    [InlineData("gpuResourceName: nvidia.com/gpu", "version", "is required")]
    [InlineData("version: v2", "version", "not supported")]
    [InlineData("version: v1\nextra: 1", "extra", "unknown key")]
    [InlineData("version: v1\ngpuResourceName: gpu", "gpuResourceName", "domain prefix")]
    [InlineData("version: v1\ngpuResourceName: kubernetes.io/gpu", "gpuResourceName", "reserved")]
    [InlineData("version: v1\ngpuNodeLabel: -bad", "gpuNodeLabel", "not a valid label key")]
    [InlineData("version: v1\nhead: {avoidGpuNodes: yes}", "head.avoidGpuNodes", "true or false")]
    [InlineData("version: v1\nhead: {hideGPUs: true}", "head.hideGPUs", "unknown key")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: 0}}", "profiles.a10g.gpus", "1 or more")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: \"1\"}}", "profiles.a10g.gpus", "whole number")]
    [InlineData("version: v1\nprofiles: {a10g: {gpu: 1}}", "profiles.a10g.gpu", "unknown key")]
    [InlineData("version: v1\nprofiles: {a10g: {}}", "profiles.a10g", "profile is empty")]
    [InlineData("version: v1\nprofiles: {a10g: }", "profiles.a10g", "profile is empty")]
    [InlineData("version: v1\nprofiles: {a10g: {enforce: true, nodeSelector: {a: b}}}", "profiles.a10g.enforce", "without gpus")]
    [InlineData("version: v1\nprofiles: {default: {gpus: 1}}", "profiles.default", "reserved")]
    [InlineData("version: v1\nprofiles: {A_: {gpus: 1}}", "profiles.A_", "profile name")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: 1, tolerations: [{key: k, effect: NoSchedul}]}}", "profiles.a10g.tolerations[0].effect", "NoSchedule, PreferNoSchedule or NoExecute")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: 1, tolerations: [{key: k, operator: Equals}]}}", "profiles.a10g.tolerations[0].operator", "Exists or Equal")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: 1, tolerations: [{key: k, operator: Exists, value: v}]}}", "profiles.a10g.tolerations[0].value", "must be empty")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: 1, tolerations: [{operator: Equal, value: v}]}}", "profiles.a10g.tolerations[0].key", "only be empty with operator Exists")]
    [InlineData("version: v1\nprofiles: {a10g: {gpus: 1, tolerations: [{key: k, tolerationSeconds: 5}]}}", "profiles.a10g.tolerations[0].tolerationSeconds", "NoExecute")]
    [InlineData("version: v1\ngpuPods: {tolerations: [{key: k, operator: Exists}, {key: k, operator: Exists}]}", "gpuPods.tolerations[1]", "repeats gpuPods.tolerations[0]")]
    [InlineData("version: v1\ngpuPods: {nodeSelector: {a: \"not valid!\"}}", "gpuPods.nodeSelector.a", "letter or digit")]
    [InlineData("version: v1\ngpuPods: {nodeSelector: {\"bad key\": x}}", "gpuPods.nodeSelector.bad key", "not a valid label key")]
    [InlineData("version: v1\nprofiles: {a: {nodeAffinity: [{key: k, operator: In}]}}", "profiles.a.nodeAffinity[0].values", "at least one value")]
    [InlineData("version: v1\nprofiles: {a: {nodeAffinity: [{key: k, operator: Exists, values: [x]}]}}", "profiles.a.nodeAffinity[0].values", "must be empty")]
    [InlineData("version: v1\nprofiles: {a: {nodeAffinity: [{key: k, operator: Gt, values: [x]}]}}", "profiles.a.nodeAffinity[0].values", "one integer")]
    [InlineData("version: v1\nprofiles: {a: {nodeAffinity: [{key: k, operator: Near, values: [x]}]}}", "profiles.a.nodeAffinity[0].operator", "In, NotIn")]
    [InlineData("version: v1\nrules: [{namespaces: [a]}]", "rules[0].profile", "is required")]
    [InlineData("version: v1\nprofiles: {a: {gpus: 1}}\nrules: [{profile: b}]", "rules[0].profile", "known profiles: a")]
    [InlineData("version: v1\nprofiles: {a: {gpus: 1}}\nrules: [{profile: a, groups: []}]", "rules[0].groups", "matches nothing")]
    [InlineData("version: v1\nrules: {profile: a}", "rules", "must be a list")]
    [InlineData("version: v1\nprofiles: {a: {gpus: 1, namespaces: []}}", "profiles.a.namespaces", "matches nothing")]
    [InlineData("version: v1\nprofiles: {a: {gpus: 1, namespaces: team-a}}", "profiles.a.namespaces", "list of strings")]
    [InlineData("version: v1\nray: {numGpus: ignore}", "ray.numGpus", "use fix or warn")]
    [InlineData("version: v1\nray: {numGPUs: fix}", "ray.numGPUs", "unknown key")]
    [InlineData("version: v1\ncustomResources: {updateExisting: sometimes}", "customResources.updateExisting", "")]
    [InlineData("version: v1\ncustomResources: {updateExsting: true}", "customResources.updateExsting", "unknown key")]
    public void Parse_InvalidPolicy_ReportsPathAndFix(string yaml, string path, string messagePart)
    {
        var result = PolicyLoader.Parse(yaml);

        Assert.False(result.IsValid);
        Assert.Null(result.Policy);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(messagePart, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ManyProblems_ReportsAllAtOnce()
    {
        const string yaml = """
            version: v1
            profiles:
              a10g:
                gpus: 0
                tolerations:
                  - {key: nvidia.com/gpu, operator: Exists, effect: Sometimes}
              empty: {}
            rules:
              - {profile: missing}
            """;

        var errors = PolicyLoader.Parse(yaml).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("profiles.a10g.gpus: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("profiles.a10g.tolerations[0].effect: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("profiles.empty: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rules[0].profile: ", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("version: v1\n---\nversion: v1", "2 YAML documents")]
    [InlineData("version: [v1", "not valid YAML or JSON at line")]
    [InlineData("- version", "must be a map")]
    public void Parse_UnusableDocument_SaysWhy(string text, string messagePart)
    {
        var result = PolicyLoader.Parse(text);

        var error = Assert.Single(result.Errors);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_Missing_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-policy-{Guid.NewGuid():N}.yaml");

        var result = PolicyLoader.LoadFile(path);

        var error = Assert.Single(result.Errors);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_Valid_Reads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, TestPolicies.Example);
        try
        {
            Assert.True(PolicyLoader.LoadFile(path).IsValid);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_ProfileNamespacesAndRay_AreRead()
    {
        var policy = TestPolicies.Parse("version: v1\nray: {numGpus: warn}\nprofiles: {a: {gpus: 1, namespaces: [team-a, \"research-*\"]}, b: {gpus: 2}}");

        Assert.Equal(NumGpusAction.Warn, policy.Ray.NumGpus);
        Assert.Equal(["team-a", "research-*"], policy.Profiles["a"].Namespaces);
        Assert.True(policy.Profiles["a"].AllowsNamespace("research-nlp"));
        Assert.False(policy.Profiles["a"].AllowsNamespace("team-b"));
        Assert.Null(policy.Profiles["b"].Namespaces);
        Assert.True(policy.Profiles["b"].AllowsNamespace("anyone"));
        Assert.Equal(NumGpusAction.Fix, TestPolicies.Parse("version: v1").Ray.NumGpus);
    }

    [Fact]
    public void Parse_CustomResourcesUpdateExisting_DefaultsToFalse()
    {
        Assert.False(TestPolicies.Parse("version: v1").CustomResources.UpdateExisting);
        Assert.False(TestPolicies.Parse("version: v1\ncustomResources: {}").CustomResources.UpdateExisting);
        Assert.True(TestPolicies.Parse("version: v1\ncustomResources: {updateExisting: true}").CustomResources.UpdateExisting);
    }

    [Fact]
    public void Parse_OverOneMebibyte_IsRefusedBeforeParsing()
    {
        var text = "version: v1\n#" + new string('x', PolicyLoader.MaxBytes);

        var error = Assert.Single(PolicyLoader.Parse(text).Errors);

        Assert.Contains("at most 1048576 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExactlyOneMebibyte_IsRead()
    {
        var head = "version: v1\n#";
        var text = head + new string('x', PolicyLoader.MaxBytes - head.Length);

        Assert.True(PolicyLoader.Parse(text).IsValid);
    }

    [Fact]
    public void LoadFile_OverOneMebibyte_IsRefusedWithItsSize()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "version: v1\n#" + new string('x', 2 * PolicyLoader.MaxBytes));
        try
        {
            var error = Assert.Single(PolicyLoader.LoadFile(path).Errors);
            Assert.Contains($"{new FileInfo(path).Length} bytes", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

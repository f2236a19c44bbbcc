using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.Admission;

/// <summary>The fast path's proof on patches its builder never makes: it must refuse what
/// <see cref="JsonPatchApplier"/> refuses and what <see cref="PodChecker"/> finds, as the general path would.</summary>
public class SparsePatchProofTests
{
    private const string Pod = """
        {"metadata":{"labels":{"ray.io/node-type":"worker","ray.io/cluster":"c"},"annotations":{"a":"1"}},
         "spec":{"containers":[{"name":"ray"}],"tolerations":[{"key":"t","operator":"Exists"}],"nodeSelector":{"pool":"gpu"}}}
        """;

    public static TheoryData<string, string, string, bool> Patches() => new()
    {
        { "an append at the end", "add", """/spec/tolerations/1|{"key":"u","operator":"Exists"}""", true },
        { "an insert at the start", "add", """/spec/tolerations/0|{"key":"u","operator":"Exists"}""", true },
        { "an append with -", "add", """/spec/tolerations/-|{"key":"u","operator":"Exists"}""", true },
        { "an index past the end", "add", """/spec/tolerations/2|{"key":"u","operator":"Exists"}""", false },
        { "an index that is not a number", "add", """/spec/tolerations/x|{"key":"u","operator":"Exists"}""", false },
        { "the same toleration twice", "add", """/spec/tolerations/1|{"key":"t","operator":"Exists"}""", false },
        { "a toleration with a numeric key", "add", """/spec/tolerations/1|{"key":1}""", false },
        { "a toleration that is not an object", "add", """/spec/tolerations/1|"t" """, false },
        { "tolerations replaced by a map", "add", """/spec/tolerations|{"key":"t"}""", false },
        { "a new node selector key", "add", """/spec/nodeSelector/zone|"a" """, true },
        { "a node selector value that is not a string", "add", """/spec/nodeSelector/zone|1""", false },
        { "a replace of a key that exists", "replace", """/spec/nodeSelector/pool|"cpu" """, true },
        { "a replace of a key that does not", "replace", """/spec/nodeSelector/zone|"a" """, false },
        { "an escaped annotation key", "add", """/metadata/annotations/raygpu.io~1policy|"p" """, true },
        { "an annotation two levels down", "add", """/metadata/annotations/a/b|"p" """, false },
        { "a path outside the three sections", "add", """/spec/affinity|{}""", false },
        { "a remove", "remove", """/spec/nodeSelector/pool|null""", false },
    };

    [Theory]
    [MemberData(nameof(Patches))]
    public void Holds_AppliesStrictlyAndChecks(string because, string op, string pathAndValue, bool holds)
    {
        var body = Encoding.UTF8.GetBytes(Pod);
        var scanner = new JsonScanner(body);
        scanner.PeekKind();
        var pod = SparsePodReader.Read(ref scanner);
        var sections = SparseSections.Read(pod, body)!;
        var (path, value) = (pathAndValue.Split('|')[0], pathAndValue.Split('|')[1]);

        var proved = SparsePatchProof.Holds([new JsonPatchOperation(op, path, JsonNode.Parse(value))], sections, body);

        Assert.True(proved == holds, $"{because}: expected {(holds ? "to hold" : "not to hold")}");
    }

    [Fact]
    public void Holds_OperationsApplyInOrder_ASectionAddedThenExtended()
    {
        var body = Encoding.UTF8.GetBytes("""{"metadata":{},"spec":{"containers":[{}]}}""");
        var scanner = new JsonScanner(body);
        scanner.PeekKind();
        var sections = SparseSections.Read(SparsePodReader.Read(ref scanner), body)!;
        JsonPatchOperation[] patch =
        [
            new("add", "/spec/nodeSelector/zone", JsonValue.Create("a")),
            new("add", "/spec/nodeSelector", new JsonObject { ["pool"] = "gpu" }),
            new("add", "/spec/nodeSelector/zone", JsonValue.Create("a")),
        ];

        Assert.False(SparsePatchProof.Holds(patch, sections, body), "a member added to a node selector that is not there yet");
        Assert.True(SparsePatchProof.Holds(patch[1..], sections, body), "the node selector added, then a member");
    }
}
